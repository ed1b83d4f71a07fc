using System.Collections.Frozen;

namespace Coffer.Protocol.Http;

/// <summary>
/// The media type COS gives an object written without a Content-Type: the one of its key's extension (<c>1.zip</c> is
/// <c>application/zip</c>, <c>1.txt</c> <c>text/plain</c>), else none (answered as <c>application/octet-stream</c>).
/// cos-nodejs-sdk-v5's own test suite expects this of COS. The names are the IANA / mime-db ones, which the COS SDKs
/// also use when they pick a Content-Type for a file; only common extensions are listed, and only zip and txt are
/// confirmed against COS (by that suite). Not ASP.NET Core's FileExtensionContentTypeProvider: it maps <c>.zip</c> to
/// <c>application/x-zip-compressed</c>, where COS answers <c>application/zip</c>.
/// </summary>
public static class MediaTypes
{
    private static readonly FrozenDictionary<string, string> ByExtension = new Dictionary<string, string>
    {
        ["txt"] = "text/plain",
        ["log"] = "text/plain",
        ["html"] = "text/html",
        ["htm"] = "text/html",
        ["css"] = "text/css",
        ["csv"] = "text/csv",
        ["md"] = "text/markdown",
        ["yaml"] = "text/yaml",
        ["yml"] = "text/yaml",
        ["js"] = "application/javascript",
        ["mjs"] = "application/javascript",
        ["json"] = "application/json",
        ["xml"] = "application/xml",
        ["pdf"] = "application/pdf",
        ["rtf"] = "application/rtf",
        ["wasm"] = "application/wasm",
        ["zip"] = "application/zip",
        ["gz"] = "application/gzip",
        ["tar"] = "application/x-tar",
        ["7z"] = "application/x-7z-compressed",
        ["bz2"] = "application/x-bzip2",
        ["rar"] = "application/vnd.rar",
        ["doc"] = "application/msword",
        ["xls"] = "application/vnd.ms-excel",
        ["ppt"] = "application/vnd.ms-powerpoint",
        ["docx"] = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ["xlsx"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ["pptx"] = "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ["apk"] = "application/vnd.android.package-archive",
        ["m3u8"] = "application/vnd.apple.mpegurl",
        ["png"] = "image/png",
        ["jpg"] = "image/jpeg",
        ["jpeg"] = "image/jpeg",
        ["gif"] = "image/gif",
        ["bmp"] = "image/bmp",
        ["webp"] = "image/webp",
        ["svg"] = "image/svg+xml",
        ["ico"] = "image/vnd.microsoft.icon",
        ["tif"] = "image/tiff",
        ["tiff"] = "image/tiff",
        ["heic"] = "image/heic",
        ["avif"] = "image/avif",
        ["mp3"] = "audio/mpeg",
        ["wav"] = "audio/wave",
        ["ogg"] = "audio/ogg",
        ["m4a"] = "audio/mp4",
        ["mp4"] = "video/mp4",
        ["webm"] = "video/webm",
        ["mov"] = "video/quicktime",
        ["avi"] = "video/x-msvideo",
        ["ts"] = "video/mp2t",
        ["woff"] = "font/woff",
        ["woff2"] = "font/woff2",
        ["ttf"] = "font/ttf",
        ["otf"] = "font/otf",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>The media type of <paramref name="key"/>'s extension (after the last '.' of its last segment); null when it has none listed.</summary>
    public static string? ForKey(string key)
    {
        var name = key[(key.LastIndexOf('/') + 1)..];
        var dot = name.LastIndexOf('.');
        return dot >= 0 && ByExtension.TryGetValue(name[(dot + 1)..], out var type) ? type : null;
    }
}
