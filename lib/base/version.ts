declare const __WASMPOLICY_VERSION__: string | undefined;
declare const __WASMPOLICY_COMMIT__: string | undefined;

/** Filled in by the build (esbuild `define`); the fallbacks only show when running the sources directly. */
export const VERSION = typeof __WASMPOLICY_VERSION__ !== 'undefined' ? __WASMPOLICY_VERSION__ : '0.0.0-dev';
export const COMMIT = typeof __WASMPOLICY_COMMIT__ !== 'undefined' ? __WASMPOLICY_COMMIT__ : 'unknown';
