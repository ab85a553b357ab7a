/* The private redis-server of a test: scenarios/runner/redis_server.ts, where the scenario CLI (`--store redis`) starts one too. */
export * from '../../scenarios/runner/redis_server.ts';
