/**
 * A message a native handler has already written as the JSON the HTTP layer's serializer would
 * write for it (same bytes). The serializer writes its text where it finds one in place of a
 * message, so a hot read (getTrace's spans) can go from stored text to response text without
 * building message objects. Whoever makes one owns that equality (and tests it against the
 * serializer).
 */
export class PreSerialized {
  constructor(readonly json: string) {}
}
