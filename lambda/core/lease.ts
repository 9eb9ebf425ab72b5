/**
 * The one lease rule (diagnosis, notification and apply claims): a lease is held up to and including
 * the instant it ends, and free only once that instant is past. The holder may still act at that very
 * instant, so freeing it then would give two holders. The proposals table's claims
 * (adapters/aws/proposals-table/conditional-write.ts LEASE_EXPIRED) and core/apply/reconcile.ts count
 * it the same way.
 */
export function leaseHeld(leaseUntil: string | null | undefined, now: Date): boolean {
  return leaseUntil !== null && leaseUntil !== undefined && leaseUntil >= now.toISOString();
}
