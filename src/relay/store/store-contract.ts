// The RelayStore port's contract suite, for any store's test to run: `describeStoreContract(label, open)`.
// It lives in ../test-support (only tests may import vitest, branchline/layers); this is its name beside the port.
export { describeStoreContract, type OpenStore } from '../test-support/store-contract';
