/** Everything in shared/: the code the browser package and the server both run. */
export * from './types';
export * from './api';
export * from './embedder';
export * from './config';
export * from './scoring';
export * from './profile-text';
export * from './profile-schema';
export * from './base64';
