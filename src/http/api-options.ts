import type { AuthSetup } from '../auth/auth-setup.js';
import { type Config, exposesSchema } from '../config.js';
import type { ApiOptions } from '../graphql/yoga.js';
import type { SocketLimits } from '../server.js';

/** The API's exposure, from the validated configuration. */
export function apiOptionsFrom(config: Config, auth: AuthSetup): ApiOptions {
  return {
    verifyToken: auth.verifyToken,
    exposeSchema: exposesSchema(config),
    corsOrigins: config.CORS_ORIGINS,
    mutationRateLimit: { max: config.RATE_LIMIT_MUTATIONS, window: '1m' },
  };
}

export function socketLimitsFrom(config: Config): SocketLimits {
  return {
    maxConnectionsPerPrincipal: config.WS_MAX_CONNECTIONS,
    maxSubscriptionsPerConnection: config.WS_MAX_SUBSCRIPTIONS,
  };
}
