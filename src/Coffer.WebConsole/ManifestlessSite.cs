using System.Reflection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;

namespace Coffer.WebConsole;

/// <summary>
/// The built page, embedded by the build under logical names <c>site/&lt;path&gt;</c> (see Coffer.WebConsole.csproj),
/// served as files. Paths map one to one, so names with dots and hyphens (Vite's hashed assets) stay intact.
/// </summary>
internal sealed class ManifestlessSite(Assembly assembly) : IFileProvider
{
    private const string Root = "site/";
    private readonly DateTimeOffset _built = File.GetLastWriteTimeUtc(assembly.Location);

    public IFileInfo GetFileInfo(string subpath)
    {
        var name = Root + subpath.TrimStart('/');
        return assembly.GetManifestResourceInfo(name) is null ? new NotFoundFileInfo(subpath) : new ResourceFile(assembly, name, _built);
    }

    public IDirectoryContents GetDirectoryContents(string subpath)
    {
        var prefix = Root + subpath.Trim('/');
        prefix = prefix.EndsWith('/') ? prefix : prefix + "/";
        var files = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && !n[prefix.Length..].Contains('/', StringComparison.Ordinal))
            .Select(n => (IFileInfo)new ResourceFile(assembly, n, _built))
            .ToList();
        return files.Count == 0 ? NotFoundDirectoryContents.Singleton : new Contents(files);
    }

    public IChangeToken Watch(string filter) => NullChangeToken.Singleton;

    private sealed class ResourceFile(Assembly assembly, string name, DateTimeOffset built) : IFileInfo
    {
        public bool Exists => true;

        public long Length
        {
            get
            {
                using var stream = CreateReadStream();
                return stream.Length;
            }
        }

        public string? PhysicalPath => null;

        public string Name => name[(name.LastIndexOf('/') + 1)..];

        public DateTimeOffset LastModified => built;

        public bool IsDirectory => false;

        public Stream CreateReadStream() => assembly.GetManifestResourceStream(name)!;
    }

    private sealed class Contents(List<IFileInfo> files) : IDirectoryContents
    {
        public bool Exists => true;

        public IEnumerator<IFileInfo> GetEnumerator() => files.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
