import * as path from 'node:path';
import { configDir } from '../store/locations';

/** kwctl's default verification config (`KWCTL_VERIFICATION_CONFIG` in its config directory). */
export function defaultVerificationConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(configDir({ env }), 'verification-config.yml');
}
