namespace Gerbang.Domain;

/// <summary>The key decides the mode; test and live objects never see each other.</summary>
public enum Mode
{
    Test,
    Live,
}

public static class ModeExtensions
{
    public static bool IsLive(this Mode mode) => mode == Mode.Live;

    public static string ToWire(this Mode mode) => mode == Mode.Live ? "live" : "test";
}
