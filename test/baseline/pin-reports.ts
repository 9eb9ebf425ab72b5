/**
 * Pins every diagnosis a scenario suite makes: its JSON report (fields may be added, none lost or
 * changed) and its text report (exactly). Call pinReports('name') at the top of a suite and
 * pin(diagnosis) wherever the suite gets one.
 */
import type { Diagnosis } from '../../lambda/core/model';
import { toJsonLine } from '../../lambda/core/render/json-report';
import { renderTextReport } from '../../lambda/core/render/text-report';
import { readGolden, UPDATING, writeGolden } from './golden';

interface Pinned {
  json: unknown;
  text: string;
}

export function pinReports(suite: string): (diagnosis: Diagnosis) => void {
  const file = `scenarios/${suite}.json`;
  const golden: Record<string, Pinned> = UPDATING ? {} : readGolden<Record<string, Pinned>>(file);
  const seen: Record<string, Pinned> = {};
  afterAll(() => {
    if (UPDATING) writeGolden(file, seen);
  });
  return (diagnosis) => {
    const test = expect.getState().currentTestName ?? 'outside a test';
    let key = test;
    for (let n = 2; key in seen; n++) key = `${test} #${n}`;
    const pinned: Pinned = {
      json: JSON.parse(toJsonLine(diagnosis)) as unknown,
      text: renderTextReport(diagnosis),
    };
    seen[key] = pinned;
    if (UPDATING) return;
    const expected = golden[key];
    expect({ pinned: key, present: expected !== undefined }).toEqual({ pinned: key, present: true });
    if (!expected) return;
    expect(pinned.json).toMatchObject(expected.json as object);
    expect(pinned.text).toEqual(expected.text);
  };
}
