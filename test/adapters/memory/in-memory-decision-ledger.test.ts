import { InMemoryDecisionLedger } from '../../../lambda/adapters/memory/in-memory-decision-ledger';
import { decisionLedgerContract } from '../support/decision-ledger-contract';

decisionLedgerContract('InMemoryDecisionLedger', async () => new InMemoryDecisionLedger());
