// The fixture runs Gerbang with its embedded PostgreSQL, which runs on Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
