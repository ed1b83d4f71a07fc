using System.Runtime.Versioning;

// These tests start the real executable and read /proc: they run where Coffer is deployed, on Linux.
[assembly: SupportedOSPlatform("linux")]
