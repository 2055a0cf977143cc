/** The caller rule lives in the shared core (core/caller.ts): the broker's source checks use it too. */
export { callerOf, plainAddress, resetProxyWarning, warnIfNoProxyHeader } from '../core/caller.ts';
