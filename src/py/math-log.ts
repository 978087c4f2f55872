/**
 * Python's math.log (the C library's log, correctly rounded on glibc for practically every input)
 * where a result is compared digit for digit: V8's Math.log may be one or two ulps away. The
 * natural logarithm is computed in double-double arithmetic (about 106 bits) and rounded once.
 */

type DD = [number, number];

function quickTwoSum(a: number, b: number): DD {
  const s = a + b;
  return [s, b - (s - a)];
}

function twoSum(a: number, b: number): DD {
  const s = a + b;
  const bb = s - a;
  return [s, a - (s - bb) + (b - bb)];
}

const SPLITTER = 134217729; // 2^27 + 1

function split(a: number): DD {
  const c = SPLITTER * a;
  const hi = c - (c - a);
  return [hi, a - hi];
}

function twoProd(a: number, b: number): DD {
  const p = a * b;
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}

function add(a: DD, b: DD): DD {
  const [s, e] = twoSum(a[0], b[0]);
  return quickTwoSum(s, e + a[1] + b[1]);
}

function mul(a: DD, b: DD): DD {
  const [p, e] = twoProd(a[0], b[0]);
  return quickTwoSum(p, e + a[0] * b[1] + a[1] * b[0]);
}

function div(a: DD, b: DD): DD {
  const q1 = a[0] / b[0];
  let r = add(a, mul([-q1, 0], b));
  const q2 = r[0] / b[0];
  r = add(r, mul([-q2, 0], b));
  const q3 = r[0] / b[0];
  return add(quickTwoSum(q1, q2), [q3, 0]);
}

const LN2: DD = [0.6931471805599453, 2.3190468138462996e-17];

/** math.log(x) for a finite positive double. */
export function pyLog(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return Math.log(x);
  // x = m * 2^e with m in [sqrt(1/2), sqrt(2)] (scaling by powers of two is exact)
  let e = 0;
  let y = x;
  if (y < 2 ** -1000) {
    y *= 2 ** 200;
    e -= 200;
  }
  const k = Math.min(1023, Math.floor(Math.log2(y)));
  let m = y / 2 ** k;
  e += k;
  for (let i = 0; i < 4 && m >= 2; i++) {
    m /= 2;
    e += 1;
  }
  for (let i = 0; i < 4 && m < 1; i++) {
    m *= 2;
    e -= 1;
  }
  if (m > Math.SQRT2) {
    m /= 2;
    e += 1;
  }
  // log(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.172
  const s = div([m - 1, 0], twoSum(m, 1));
  const s2 = mul(s, s);
  let term = s;
  let sum = s;
  for (let k = 1; k < 40; k++) {
    term = mul(term, s2);
    const t = div(term, [2 * k + 1, 0]);
    sum = add(sum, t);
    if (Math.abs(t[0]) < 1e-36 * Math.abs(sum[0]) || t[0] === 0) break;
  }
  const logM = mul(sum, [2, 0]);
  const eLn2 = add(twoProd(e, LN2[0]), [e * LN2[1], 0]);
  const r = add(eLn2, logM);
  return r[0] + r[1];
}
