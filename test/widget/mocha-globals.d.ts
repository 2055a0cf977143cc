// The globals @web/test-runner's mocha gives element tests (no @types/mocha dependency for four names).
declare function describe(name: string, body: () => void): void;
declare function it(name: string, body: () => unknown): void;
declare function before(body: () => unknown): void;
declare function beforeEach(body: () => unknown): void;
declare function afterEach(body: () => unknown): void;
