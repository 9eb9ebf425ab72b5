import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The version in the package's own package.json, found by walking up from this file: the source tree,
 * the dist/ bundle and an installed package all keep package.json above the code.
 */
export function packageVersion(start: string = __dirname): string {
  for (let directory = start; ; directory = dirname(directory)) {
    const candidate = join(directory, 'package.json');
    if (existsSync(candidate)) {
      const manifest = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: unknown; version?: unknown };
      if (manifest.name === 'passrole-doctor' && typeof manifest.version === 'string')
        return manifest.version;
    }
    if (dirname(directory) === directory) return 'unknown';
  }
}
