import { terminalSafe } from '../../../lambda/core/render/text-report';

describe('terminal output', () => {
  it('shows control characters from events as escapes, keeping newlines', () => {
    expect(terminalSafe('role\u001b[2Jx\rY\nnext')).toBe('role\\u001b[2Jx\\u000dY\nnext');
  });
});
