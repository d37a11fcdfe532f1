/** The HTTP API's schemas and the wire types inferred from them, one module per route group. */
export * from './common';
export * from './ml';
export * from './profiles';
export * from './sync';
export * from './feed';
export * from './openai';
export * from './tei';
