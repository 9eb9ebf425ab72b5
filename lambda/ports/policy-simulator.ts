import type { SimulationRequest, SimulationResult } from '../core/model';

/** Evaluates one request as IAM would: SimulatePrincipalPolicy on AWS, or offline. */
export interface PolicySimulator {
  simulate(request: SimulationRequest): Promise<SimulationResult>;
}
