// Gerbang runs on Linux: the embedded database is run through runuser and secrets files rely on Unix modes.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
