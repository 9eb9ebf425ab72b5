/**
 * Fitting a Chatbot description into its budget. Sections are added in order while they fit; one that
 * does not is left out whole (never cut mid-escape) and a note says more is in the email. A `kept`
 * section (the level and the approval a proposal needs) is never left out: its room is set aside
 * first, so however large the other sections are, it stays. Its own length is bounded by its renderer.
 */
export interface Section {
  text: string;
  /** Never left out to make room. */
  kept?: boolean;
}

export const OVERFLOW_NOTE = '_(more in the email report)_';

export function fitSections(
  sections: readonly (Section | string | null)[],
  budget: number,
  overflowNote: string = OVERFLOW_NOTE,
): string {
  const all = sections
    .filter((section): section is Section | string => section !== null)
    .map((section) => (typeof section === 'string' ? { text: section } : section))
    .filter((section) => section.text !== '');
  // Each kept section costs its length and one line break; the note's room is always set aside.
  const reserved = all
    .filter((section) => section.kept)
    .reduce((sum, section) => sum + section.text.length + 1, 0);
  const room = budget - overflowNote.length - reserved;
  const kept: string[] = [];
  let used = 0;
  let dropped = false;
  for (const section of all) {
    if (section.kept) {
      kept.push(section.text);
      continue;
    }
    const cost = section.text.length + 1;
    if (used + cost > room) {
      dropped = true;
      continue;
    }
    kept.push(section.text);
    used += cost;
  }
  if (dropped) kept.push(overflowNote);
  return kept.join('\n');
}
