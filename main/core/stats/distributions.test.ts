import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  chiSquareSurvival,
  fSurvival,
  logGamma,
  normalCdf,
  normalQuantile,
  regularizedBeta,
  regularizedGammaP,
  regularizedGammaQ,
  studentTCdf,
  studentTQuantile,
} from './distributions.ts';

// Reference values computed with SciPy 1.17.1 (`.venv/bin/python`): scipy.special.betainc, gammainc, gammaincc,
// gammaln and scipy.stats.t.cdf / t.ppf / f.sf / chi2.sf / norm.cdf / norm.ppf at the arguments listed.

function assertRelative(actual: number, expected: number, tolerance: number, label: string): void {
  const scale = Math.max(Math.abs(expected), 1e-300);
  assert.ok(
    Math.abs(actual - expected) / scale <= tolerance,
    `${label}: got ${actual}, expected ${expected}`,
  );
}

test('regularized incomplete beta matches scipy.special.betainc', () => {
  const cases: [number, number, number, number][] = [
    [0.3, 2, 3, 0.34829999999999994],
    [0.9, 0.5, 7.5, 0.9999999932897103],
    [0.01, 10, 0.5, 1.770034965528571e-21],
    [0.5, 100, 120, 0.9117960627949818],
    [0.999, 3.3, 0.7, 0.9804720250015085],
    [0.2, 7.63, 0.5, 1.0286443139918378e-6],
  ];
  for (const [x, a, b, expected] of cases)
    assertRelative(regularizedBeta(x, a, b), expected, 1e-12, `I(${x};${a},${b})`);
});

test('regularized incomplete gamma matches scipy.special.gammainc / gammaincc', () => {
  const cases: [number, number, number, number][] = [
    [0.5, 0.1, 0.34527915398142317, 0.6547208460185768],
    [2.5, 3, 0.6937810815867212, 0.30621891841327875],
    [10, 4, 0.008132242796933871, 0.9918677572030661],
    [0.5, 12.5, 0.9999994266968563, 5.733031437583875e-7],
    [30, 45, 0.9926628007022035, 0.007337199297796568],
    [1, 0.001, 0.0009995001666250082, 0.999000499833375],
  ];
  for (const [a, x, p, q] of cases) {
    assertRelative(regularizedGammaP(a, x), p, 1e-12, `P(${a},${x})`);
    assertRelative(regularizedGammaQ(a, x), q, 1e-12, `Q(${a},${x})`);
  }
});

test('log gamma matches scipy.special.gammaln', () => {
  const cases: [number, number][] = [
    [0.1, 2.252712651734206],
    [3.7, 1.428072326665388],
    [57.5, 174.37212981874515],
    [1e-5, 11.512919692895826],
  ];
  for (const [x, expected] of cases) assertRelative(logGamma(x), expected, 1e-13, `lgamma(${x})`);
});

test('Student t CDF and quantile with fractional df match scipy.stats.t', () => {
  const cdf: [number, number, number][] = [
    [2.1, 15.2597, 0.9736242996350771],
    [-1.3, 4, 0.13172579823561206],
    [0.4, 12.7446, 0.6521100059747409],
    [5, 3.5, 0.9947249105040661],
    [2.2, 1000, 0.9859824873366511],
  ];
  for (const [t, df, expected] of cdf) assertRelative(studentTCdf(t, df), expected, 1e-12, `T(${t};${df})`);
  const quantiles: [number, number, number][] = [
    [0.975, 15.2597, 2.1282944922481697],
    [0.975, 12.7446, 2.1647778334372205],
    [0.995, 2.5, 7.163728138948783],
    [0.9, 100, 1.290074761346516],
    [0.025, 4, -2.7764451051977943],
  ];
  for (const [p, df, expected] of quantiles)
    assertRelative(studentTQuantile(p, df), expected, 1e-12, `t_${p}(${df})`);
});

test('F and chi-square upper tails match scipy.stats.f.sf / chi2.sf', () => {
  const f: [number, number, number, number][] = [
    [4.456319, 1, 15.2597, 0.05166564967984389],
    [8.704, 1, 4, 0.0419587524946387],
    [0.5, 3, 7.5, 0.6932855021854569],
    [2.7, 5, 40, 0.03408751950628795],
  ];
  for (const [x, d1, d2, expected] of f)
    assertRelative(fSurvival(x, d1, d2), expected, 1e-12, `F(${x};${d1},${d2})`);
  const chi: [number, number, number][] = [
    [5.475953, 1, 0.019279845745379668],
    [3.2, 4, 0.5249309467861041],
    [30, 12.5, 0.0036455068658155167],
  ];
  for (const [x, df, expected] of chi)
    assertRelative(chiSquareSurvival(x, df), expected, 1e-12, `chi2(${x};${df})`);
});

test('normal CDF and quantile match scipy.stats.norm', () => {
  const cdf: [number, number][] = [
    [-3.1, 0.0009676032132183563],
    [0.2, 0.579259709439103],
    [1.959963984540054, 0.975],
    [7.5, 0.9999999999999681],
  ];
  for (const [z, expected] of cdf) assertRelative(normalCdf(z), expected, 1e-13, `Phi(${z})`);
  const quantiles: [number, number][] = [
    [0.975, 1.959963984540054],
    [1e-10, -6.361340902404056],
    [0.3, -0.5244005127080409],
  ];
  for (const [p, expected] of quantiles) assertRelative(normalQuantile(p), expected, 1e-14, `z(${p})`);
  assert.equal(normalQuantile(0.5), 0);
});
