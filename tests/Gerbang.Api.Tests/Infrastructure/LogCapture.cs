using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Gerbang.Api.Tests.Infrastructure;

/// <summary>Keeps every log line of the test run, so tests can check that no secret was ever logged.</summary>
public sealed class LogCapture : ILoggerProvider, ILogger
{
    public static LogCapture Provider { get; } = new();

    public static ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Lines.Enqueue($"{logLevel}: {formatter(state, exception)} {exception}");

    public void Dispose()
    {
    }
}
