/**
 * Stands in for the approval and apply handlers in synths that skip bundling: NodejsFunction only
 * checks that its entry exists then. test/lib/bundle.test.ts bundles the real ones.
 */
export async function handler(): Promise<void> {}
