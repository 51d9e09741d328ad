using Gerbang.Api.Http;
using Microsoft.Extensions.Configuration;

namespace Gerbang.Api.Tests.Http;

public sealed class PrivateFileTests
{
    [Fact]
    public void The_master_key_file_is_private_from_its_first_byte_and_a_second_instance_keeps_the_first_key()
    {
        var dir = Directory.CreateTempSubdirectory("gerbang-secrets-").FullName;
        try
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Gerbang:DataDir"] = dir }).Build();
            var first = SecretBox.FromConfiguration(configuration);
            var path = Path.Combine(dir, "master.key");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Empty(Directory.GetFiles(dir, "*.part"));

            // Another instance on the same data directory opens what the first sealed.
            var sealedBytes = first.Seal("whsec_example");
            Assert.Equal("whsec_example", SecretBox.FromConfiguration(configuration).Open(sealedBytes));

            // Written when it exists already: the existing one stands.
            Assert.False(PrivateFiles.Write(path, "another key", overwrite: false));
            Assert.Equal("whsec_example", SecretBox.FromConfiguration(configuration).Open(sealedBytes));
            Assert.True(PrivateFiles.Write(Path.Combine(dir, "credentials.txt"), "secret"));
            Assert.Equal(PrivateFiles.Mode, File.GetUnixFileMode(Path.Combine(dir, "credentials.txt")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
