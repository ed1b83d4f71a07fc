namespace Coffer.Server.WarmUp;

/// <summary>How this server's request warm-up ended (<see cref="WarmUpService"/> sets it once, when it has), for its tests and its log.</summary>
internal sealed class WarmUpOutcome
{
    private readonly TaskCompletionSource<RequestWarmUpResult> _requests = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes with the warm-up's result, or faults with what ended it; cancelled when the server stopped first.</summary>
    public Task<RequestWarmUpResult> Requests => _requests.Task;

    public void RequestsDone(RequestWarmUpResult result) => _requests.TrySetResult(result);

    public void RequestsFailed(Exception error) => _requests.TrySetException(error);

    public void RequestsCancelled() => _requests.TrySetCanceled();
}
