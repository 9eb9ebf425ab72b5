/** The diagnosis entry point; the work is in core/diagnosis (triage, plan, outcome). */
export { createDiagnoser, type Diagnoser, type DiagnoserDependencies } from './diagnosis/diagnoser';
export type { IdentityCenterDependencies } from './diagnosis/permission-set';
