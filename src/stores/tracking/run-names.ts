import { randomInt } from 'node:crypto';

// Word lists of our own; the shape matches mlflow.utils.name_utils._generate_random_name:
// "<adjective>-<noun>-<0..999>", at most 20 characters (retried, then truncated).
const ADJECTIVES = [
  'able', 'agile', 'amber', 'amused', 'ample', 'bold', 'brave', 'bright', 'brisk', 'calm', 'casual',
  'charming', 'clean', 'clever', 'cool', 'crisp', 'curious', 'daring', 'dapper', 'deft', 'eager', 'early',
  'easy', 'fair', 'fast', 'fearless', 'fine', 'fleet', 'fond', 'fresh', 'gentle', 'glad', 'grand', 'great',
  'happy', 'hardy', 'honest', 'humble', 'jolly', 'keen', 'kind', 'lively', 'loyal', 'lucky', 'mellow',
  'merry', 'mighty', 'modest', 'neat', 'nimble', 'noble', 'patient', 'placid', 'polite', 'proud', 'quick',
  'quiet', 'rapid', 'ready', 'regal', 'robust', 'rosy', 'rustic', 'serene', 'sharp', 'shiny', 'silent',
  'sleek', 'smart', 'snappy', 'solid', 'spry', 'steady', 'stellar', 'sunny', 'swift', 'tidy', 'vivid',
  'warm', 'wise', 'witty', 'zealous',
];
const NOUNS = [
  'ant', 'ape', 'asp', 'bass', 'bat', 'bear', 'bee', 'bird', 'boar', 'bug', 'calf', 'carp', 'cat', 'chimp',
  'cod', 'colt', 'crab', 'crane', 'cow', 'crow', 'cub', 'deer', 'doe', 'dog', 'dove', 'duck', 'eel', 'elk',
  'fawn', 'finch', 'fish', 'foal', 'fox', 'frog', 'gnat', 'goat', 'goose', 'gull', 'hare', 'hawk', 'hen',
  'hog', 'horse', 'hound', 'jay', 'kit', 'kite', 'koi', 'lamb', 'lark', 'lion', 'lynx', 'mare', 'mink',
  'mole', 'moose', 'moth', 'mouse', 'mule', 'newt', 'owl', 'ox', 'panda', 'perch', 'pig', 'pony', 'pug',
  'ram', 'rat', 'ray', 'seal', 'shark', 'sheep', 'shrew', 'skink', 'slug', 'snail', 'snake', 'squid',
  'stag', 'stork', 'swan', 'toad', 'trout', 'wasp', 'whale', 'wolf', 'worm', 'wren', 'yak', 'zebra',
];

const pick = (words: readonly string[]): string => words[randomInt(words.length)]!;

export function generateRunName(maxLength = 20): string {
  let name = '';
  for (let i = 0; i < 10; i++) {
    name = `${pick(ADJECTIVES)}-${pick(NOUNS)}-${randomInt(1000)}`;
    if (name.length <= maxLength) return name;
  }
  return name.slice(0, maxLength);
}
