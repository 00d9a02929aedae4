import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Tally's Prometheus metrics, one registry per running Tally (tests start several in one
 * process, and each must count only its own). Gauges that describe shared state (lag, parked
 * events, transfers in flight) are filled in at scrape time by the collectors `ops-metrics.ts`
 * registers; the counters and the histogram are incremented where things happen.
 */
export class TallyMetrics {
  readonly registry = new Registry();

  readonly projectionLagEvents = new Gauge({
    name: 'tally_projection_lag_events',
    help: 'Events a consumer (read-model projection or process) has still to apply, up to the head of $all',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });

  readonly projectionLagSeconds = new Gauge({
    name: 'tally_projection_lag_seconds',
    help: 'Age of the oldest event a consumer has not applied yet (0 when caught up)',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });

  readonly projectionPosition = new Gauge({
    name: 'tally_projection_position',
    help: 'Commit position in $all a consumer has applied up to',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });

  readonly transfersInFlight = new Gauge({
    name: 'tally_transfers_in_flight',
    help: 'Transfers sent and not yet completed or refunded (read model)',
    registers: [this.registry],
  });

  readonly parkedEvents = new Gauge({
    name: 'tally_parked_events',
    help: 'Events a consumer could not apply after its retries, waiting for a replay',
    labelNames: ['consumer'] as const,
    registers: [this.registry],
  });

  readonly commandDuration = new Histogram({
    name: 'tally_command_duration_seconds',
    help: 'Time to handle one command on the write side, by command and outcome',
    labelNames: ['command', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly graphqlOperations = new Counter({
    name: 'tally_graphql_operations_total',
    help: 'GraphQL operations executed, by type (query, mutation, subscription) and outcome',
    labelNames: ['operation_type', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly liveSubscribers = new Gauge({
    name: 'tally_live_subscribers',
    help: 'Live subscribers listening on this instance, by change feed',
    labelNames: ['feed'] as const,
    registers: [this.registry],
  });

  readonly leader = new Gauge({
    name: 'tally_leader',
    help: '1 on the instance that runs the projector and the processes, 0 elsewhere',
    registers: [this.registry],
  });

  readonly projectorThreadRestarts = new Counter({
    name: 'tally_projector_thread_restarts_total',
    help: "Times the projector's thread ended on its own and a new one was started from the checkpoint",
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.leader.set(0);
  }

  /** Runs before each scrape: fills the gauges that are read from the stores. */
  onScrape(collect: () => Promise<void>): void {
    this.#collectors.push(collect);
  }

  readonly #collectors: Array<() => Promise<void>> = [];

  /** The exposition text. A collector that fails leaves its gauges as they were, not the scrape broken. */
  async render(): Promise<string> {
    await Promise.all(this.#collectors.map((collect) => collect().catch(() => undefined)));
    return this.registry.metrics();
  }
}
