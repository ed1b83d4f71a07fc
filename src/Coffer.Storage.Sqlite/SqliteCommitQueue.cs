using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Coffer.Storage.Sqlite;

/// <summary>
/// Group commit on the single writer connection. Writes queue up while a commit is being flushed; when it ends, the
/// writer thread takes everything queued and runs it in one transaction, each piece of work in a savepoint of its own
/// (one that fails is rolled back alone, and only its caller sees the error), then commits once, with one fsync
/// (<c>synchronous=FULL</c>), and only then answers every caller. Latency under load stays about one flush; throughput
/// grows with the number of writers. The outcome is that of the works run one after the other in queue order.
/// </summary>
internal sealed class SqliteCommitQueue : IDisposable
{
    private readonly PreparedConnection _writer;
    private readonly Func<SqliteTransaction, SqliteSession> _openSession;
    private readonly Action<SqliteSession?> _pinsChanged;
    private readonly Action _groupEnded;
    private readonly Action _workRolledBack;
    private readonly object _gate = new();

    // Set by a caller that found the writer thread idle (and cleared the flag): the one wake-up an idle period needs.
    private readonly AutoResetEvent _wake = new(false);
    private readonly Thread _thread;
    private List<PendingWrite> _queued = [];
    private List<PendingWrite> _spare = [];
    private bool _stopping;

    // True while the writer thread found the queue empty and waits (or is about to wait) for _wake; under _gate.
    private bool _writerIdle;

    /// <param name="writer">The writer connection; from now on only the queue's thread uses it.</param>
    /// <param name="openSession">A transaction view of the writer for one work (each work gets its own, so what it releases is its own).</param>
    /// <param name="pinsChanged">
    /// Told, on the writer thread, after a work that pinned or released an instant (with its session, inside the group) and
    /// once its group has ended (with null).
    /// </param>
    /// <param name="groupEnded">Told, on the writer thread, once a group has committed or rolled back and before its callers are answered.</param>
    public SqliteCommitQueue(PreparedConnection writer, Func<SqliteTransaction, SqliteSession> openSession, Action<SqliteSession?> pinsChanged,
        Action groupEnded, Action workRolledBack)
    {
        _writer = writer;
        _openSession = openSession;
        _pinsChanged = pinsChanged;
        _groupEnded = groupEnded;
        _workRolledBack = workRolledBack;
        _thread = new Thread(Run) { IsBackground = true, Name = "Coffer SQLite writer" };
        _thread.Start();
    }

    /// <summary>How many commits (each one fsync) the queue has made, for tests and benchmarks that count them.</summary>
    public long Commits { get; private set; }

    public Task<T> Enqueue<T>(Func<SqliteSession, T> work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var write = new PendingWrite<T>(work, cancellationToken);
        bool wake;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            _queued.Add(write);
            wake = TakeIdleWriter();
        }

        // Outside the lock, so the writer does not wake only to wait for it; while it flushes, nobody signals at all.
        if (wake)
        {
            _wake.Set();
        }

        return write.Task;
    }

    /// <summary>Lets the queued writes commit, then stops the writer thread.</summary>
    public void Dispose()
    {
        bool wake;
        lock (_gate)
        {
            _stopping = true;
            wake = TakeIdleWriter();
        }

        if (wake)
        {
            _wake.Set();
        }

        _thread.Join();
        _wake.Dispose();
    }

    /// <summary>Under the gate: true (once) when the writer thread waits for work, which the caller must then signal.</summary>
    private bool TakeIdleWriter()
    {
        var idle = _writerIdle;
        _writerIdle = false;
        return idle;
    }

    private void Run()
    {
        while (true)
        {
            List<PendingWrite>? batch = null;
            lock (_gate)
            {
                if (_queued.Count > 0)
                {
                    batch = _queued;
                    _queued = _spare;
                }
                else if (_stopping)
                {
                    return;
                }
                else
                {
                    _writerIdle = true;
                }
            }

            if (batch is null)
            {
                // Only the caller that finds the writer idle signals, once and outside the lock: a Monitor.Pulse under
                // the callers' lock made the woken writer contend with them for it (spinning and slow exits per write).
                _wake.WaitOne();
                continue;
            }

            Flush(batch);
            batch.Clear();
            lock (_gate)
            {
                _spare = batch;
            }
        }
    }

    private void Flush(List<PendingWrite> batch)
    {
        var started = batch.Where(write => write.TryStart()).ToList();
        if (started.Count == 0)
        {
            return;
        }

        var alone = started.Count == 1;
        var pinsChanged = false;
        SqliteTransaction? transaction = null;
        try
        {
            transaction = _writer.Connection.BeginTransaction(deferred: false);
            foreach (var write in started)
            {
                using var session = _openSession(transaction);
                if (alone)
                {
                    write.Run(session);
                    pinsChanged = session.PinsChanged;
                    continue;
                }

                _writer.Execute("SAVEPOINT work");
                if (write.Run(session))
                {
                    _writer.Execute("RELEASE work");
                    if (session.PinsChanged)
                    {
                        pinsChanged = true;
                        _pinsChanged(session);
                    }
                }
                else if (InTransaction())
                {
                    _writer.Execute("ROLLBACK TO work");
                    _writer.Execute("RELEASE work");
                    _workRolledBack();
                }
                else
                {
                    // SQLite rolled the whole transaction back itself (a full disk, an I/O error): nothing of it stands.
                    throw new SqliteException("The write transaction was rolled back by SQLite.", raw.SQLITE_ABORT);
                }
            }

            if (alone && started[0].Failed)
            {
                Rollback(transaction);
            }
            else
            {
                transaction.Commit();
                Commits++;
            }
        }
        catch (Exception error)
        {
            Rollback(transaction);
            _groupEnded();
            foreach (var write in started)
            {
                write.Fail(error);
            }

            return;
        }
        finally
        {
            transaction?.Dispose();
            if (pinsChanged)
            {
                AfterPinsChanged();
            }
        }

        _groupEnded();

        // Durable now: the callers may go on (their continuations run on the thread pool, not on this thread).
        foreach (var write in started)
        {
            write.Complete();
        }
    }

    private void AfterPinsChanged()
    {
        try
        {
            _pinsChanged(null);
        }
        catch (SqliteException)
        {
            // The group's callers have their answers already; what is not purged now is purged by the next sweep, and a
            // pin that may still stand keeps revisions rather than losing them (the store only sets its flag on success).
        }
    }

    private bool InTransaction() => raw.sqlite3_get_autocommit(_writer.Connection.Handle) == 0;

    private void Rollback(SqliteTransaction? transaction)
    {
        if (transaction is not null && InTransaction())
        {
            transaction.Rollback();
        }

        _workRolledBack();
    }

    /// <summary>One caller's work, waiting in the queue, then run, then answered once its commit is durable.</summary>
    private abstract class PendingWrite
    {
        private const int Queued = 0;
        private const int Started = 1;
        private const int Cancelled = 2;
        private int _state;

        public bool Failed { get; protected set; }

        /// <summary>False when the caller gave up while the work waited; a started work is never cancelled.</summary>
        public bool TryStart() => Interlocked.CompareExchange(ref _state, Started, Queued) == Queued;

        /// <summary>Runs the work; false when it threw (the error is kept for its caller).</summary>
        public abstract bool Run(SqliteSession session);

        public abstract void Complete();

        public abstract void Fail(Exception error);

        protected bool TryCancel() => Interlocked.CompareExchange(ref _state, Cancelled, Queued) == Queued;
    }

    private sealed class PendingWrite<T> : PendingWrite
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Func<SqliteSession, T> _work;
        private readonly ExecutionContext? _context;
        private readonly CancellationTokenRegistration _cancellation;
        private T? _result;
        private Exception? _error;

        public PendingWrite(Func<SqliteSession, T> work, CancellationToken cancellationToken)
        {
            _work = work;
            // The work runs on the writer thread, but in its caller's context: ambient values (the request a change came
            // from, which its event notifications name) flow into the transaction as they would on the caller's thread.
            _context = ExecutionContext.Capture();
            if (cancellationToken.CanBeCanceled)
            {
                _cancellation = cancellationToken.Register(() =>
                {
                    if (TryCancel())
                    {
                        _completion.TrySetCanceled(cancellationToken);
                    }
                });
            }
        }

        public Task<T> Task => _completion.Task;

        public override bool Run(SqliteSession session)
        {
            try
            {
                if (_context is null)
                {
                    _result = _work(session);
                }
                else
                {
                    ExecutionContext.Run(_context, static state =>
                    {
                        var (write, session) = ((PendingWrite<T>, SqliteSession))state!;
                        write._result = write._work(session);
                    }, (this, session));
                }

                return true;
            }
            catch (Exception error)
            {
                _error = error;
                Failed = true;
                return false;
            }
        }

        public override void Complete()
        {
            _cancellation.Dispose();
            if (_error is not null)
            {
                _completion.TrySetException(_error);
            }
            else
            {
                _completion.TrySetResult(_result!);
            }
        }

        public override void Fail(Exception error)
        {
            _cancellation.Dispose();
            _completion.TrySetException(_error ?? error);
        }
    }
}
