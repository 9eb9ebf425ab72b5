/** HTML building blocks for the review pages: every dynamic string goes through `escapeHtml`. */

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

// Control characters have no business in a page; they are shown as the replacement character.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/[&<>"'`]/g, (char) => HTML_ESCAPES[char] ?? char)
    .replace(CONTROL_CHARACTERS, '\ufffd');
}

/**
 * Headers for every page: nothing loads from anywhere, forms post only to us, no framing, and the
 * token in the URL never leaks through a Referer or a cache.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

// The monospace fonts are named: the bare `monospace` family makes browsers shrink it to 13px, and the
// policy document is what a reviewer reads most closely.
const STYLE = `
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1f24;line-height:1.45}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.6rem}
pre{background:#f4f6f8;padding:.8rem;overflow-x:auto;border-radius:6px;font-size:.9rem;line-height:1.4}
pre,code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace}
#outcome{padding:.6rem .8rem;border-left:4px solid #0969da;background:#f0f6ff;border-radius:4px}
.status{display:inline-block;padding:.1rem .5rem;border-radius:4px;background:#e8eaed;font-weight:600}
.risk li{color:#8a1c00}.muted{color:#57606a}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere;min-width:0}
form{display:inline-block;margin-right:1rem}button{font-size:1rem;padding:.5rem 1.2rem;border-radius:6px;border:1px solid #8c959f;cursor:pointer}
button.approve{background:#1f883d;color:#fff;border-color:#1a7f37}button.reject{background:#fff}
`;

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex,nofollow"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>${body}</body></html>`;
}
