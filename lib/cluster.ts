/*
 * Several processes of one server sharing one listening port (node:cluster). The primary forks the
 * workers and waits until each says it is ready; a worker that dies unexpectedly is logged and
 * replaced; stop() ends them all. The first worker starts alone, so what a first start creates (keys,
 * the test PKI, the shared store's initial state) is created once, not raced by every worker; the
 * others start together after it.
 */
import cluster, { type Worker } from 'node:cluster';

/** The message a worker sends once it serves (announceReady), with what the primary prints. */
const readyType = 'cluster.worker-ready';

export interface WorkerInfo<R> {
  /** 1…count; a replacement takes the number of the worker it replaces. */
  index: number;
  pid: number;
  ready: R;
}

export interface Workers<R> {
  /** The workers serving now. */
  list(): Array<WorkerInfo<R>>;
  stop(): Promise<void>;
}

export class WorkerStartError extends Error {
  override name = 'WorkerStartError';
}

/** In a worker: tells the primary it serves, with details for the primary (JSON). */
export function announceReady(details: object): void {
  process.send?.({ type: readyType, details });
}

/** Forks one worker and resolves with what it announced; rejects when it exits before. */
function fork<R>(index: number): Promise<{ worker: Worker; ready: R }> {
  const worker = cluster.fork({ ESIA_WORKER_INDEX: String(index) });
  return new Promise((ok, fail) => {
    const onMessage = (message: { type?: string; details?: R }) => {
      if (message?.type !== readyType) return;
      worker.off('exit', onExit);
      worker.off('message', onMessage);
      ok({ worker, ready: message.details as R });
    };
    const onExit = (code: number | null, signal: string | null) =>
      fail(new WorkerStartError(`worker ${index} exited before it was ready (${signal ?? `exit code ${code}`})`));
    worker.on('message', onMessage);
    worker.once('exit', onExit);
  });
}

/**
 * Starts `count` workers of this script (cluster.fork re-runs it with cluster.isWorker true) and
 * keeps them running. `log` receives one line per worker that died and its replacement.
 * Rejects with WorkerStartError when a worker of the initial start exits before it is ready
 * (it printed why itself); the ones already started are stopped first.
 */
export async function startWorkers<R>(count: number, log: (line: string) => void): Promise<Workers<R>> {
  const live = new Map<number, WorkerInfo<R> & { worker: Worker }>();
  let stopping = false;

  const watch = (index: number, worker: Worker, ready: R) => {
    live.set(index, { index, pid: worker.process.pid!, ready, worker });
    worker.once('exit', (code, signal) => {
      live.delete(index);
      if (stopping) return;
      log(
        `worker ${index} (pid ${worker.process.pid}) ended unexpectedly (${signal ?? `exit code ${code}`}); starting a replacement`,
      );
      void replace(index);
    });
  };
  // A replacement that cannot start (the store is unreachable, say) is tried again every few seconds:
  // the others keep serving meanwhile, and the service is whole again once the cause is gone.
  const replace = async (index: number): Promise<void> => {
    for (let attempt = 1; !stopping; attempt++) {
      try {
        const { worker, ready } = await fork<R>(index);
        if (stopping) worker.process.kill('SIGTERM');
        else {
          watch(index, worker, ready);
          log(`worker ${index} replaced: pid ${worker.process.pid}`);
        }
        return;
      } catch (error) {
        log(`${(error as Error).message}; trying again in ${Math.min(attempt, 5)} s`);
        await new Promise((ok) => setTimeout(ok, Math.min(attempt, 5) * 1000));
      }
    }
  };
  const stop = async () => {
    stopping = true;
    await Promise.all(
      [...live.values()].map(
        ({ worker }) =>
          new Promise<void>((ok) => {
            if (worker.isDead()) return ok();
            const timer = setTimeout(() => worker.process.kill('SIGKILL'), 10_000);
            worker.once('exit', () => {
              clearTimeout(timer);
              ok();
            });
            worker.process.kill('SIGTERM');
          }),
      ),
    );
  };

  try {
    const first = await fork<R>(1);
    watch(1, first.worker, first.ready);
    const rest = await Promise.allSettled(Array.from({ length: count - 1 }, (_, i) => fork<R>(i + 2)));
    rest.forEach((r, i) => {
      if (r.status === 'fulfilled') watch(i + 2, r.value.worker, r.value.ready);
    });
    const failed = rest.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    list: () => [...live.values()].sort((a, b) => a.index - b.index).map(({ worker: _, ...info }) => info),
    stop,
  };
}
