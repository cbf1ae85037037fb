using Lethe.Machine.Secrets;

namespace Lethe.Tests.Secrets;

/// <summary>share.git_config on a corpus of realistic global configs, with made-up credentials.</summary>
public sealed class GitConfigSanitizerTests
{
    private const string Home = "/home/alice";
    private const string PublicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGbZ9Yq0yV3Vx2B1Q1ZpQe8ZK8m2pZ1M0zq0jv3u1k9a alice@laptop";
    private static readonly SigningAgents NoAgents = new(false, false);

    private static readonly string[] MadeUpSecrets =
    [
        "ghp_0123456789abcdefghijABCDEFGHIJ012345", "s3cretPassw0rd", "glpat-abcdefghij0123456789", "Basic dXNlcjpwYXNz",
        "xoxb-123456789012-abcdefghij", "oauth-token-value-123", "AKIAABCDEFGHIJKLMNOP", "sk-ant-api03-abcdefghijklmnopqrstuvwxyz",
    ];

    private const string Developer = """
        # Alice's global config; token for CI: ghp_0123456789abcdefghijABCDEFGHIJ012345
        [user]
        	name = Alice Example
        	email = alice@example.com
        [core]
        	editor = nvim
        	excludesfile = ~/.gitignore_global
        	askPass = /usr/lib/ssh/x11-ssh-askpass
        [init]
        	defaultBranch = main
        [alias]
        	st = status -sb
        	lg = log --graph --oneline --decorate
        	undo = "!git reset --soft HEAD~1"
        [credential]
        	helper = store --file ~/.git-credentials
        	helper = cache --timeout=3600
        [credential "https://github.com"]
        	helper = !/usr/bin/gh auth git-credential
        	username = alice
        [credential "https://dev.azure.com"]
        	useHttpPath = true
        [http]
        	extraHeader = "Authorization: Basic dXNlcjpwYXNz"
        	postBuffer = 524288000
        [http "https://ci.example.com/"]
        	extraheader = AUTHORIZATION: bearer oauth-token-value-123
        	sslVerify = false
        [url "https://alice:s3cretPassw0rd@git.example.com/"]
        	insteadOf = https://git.example.com/
        [url "https://ghp_0123456789abcdefghijABCDEFGHIJ012345@github.com/"]
        	insteadOf = https://github.com/
        [url "https://github.com/"]
        	pushInsteadOf = "https://oauth2:glpat-abcdefghij0123456789@gitlab.example.com/"
        [url "git@github.com:"]
        	insteadOf = gh:
        [url "ssh://git@gitlab.example.com/"]
        	pushInsteadOf = https://gitlab.example.com/
        [include]
        	path = ~/.gitconfig.secrets
        [includeIf "gitdir:~/work/"]
        	path = ~/work/.gitconfig
        [github]
        	user = alice
        	token = ghp_0123456789abcdefghijABCDEFGHIJ012345
        [hub]
        	oauthtoken = oauth-token-value-123
        [sendemail]
        	smtpServer = smtp.example.com
        	smtpUser = alice
        	smtpPass = s3cretPassw0rd
        [slack]
        	hook = https://hooks.example.com/xoxb-123456789012-abcdefghij
        [aws]
        	key = AKIAABCDEFGHIJKLMNOP
        [anthropic]
        	apiKey = sk-ant-api03-abcdefghijklmnopqrstuvwxyz
        [http]
        	proxy = http://proxyuser:s3cretPassw0rd@proxy.example.com:3128
        [pull]
        	rebase = true
        """;

    private static SanitizedGitConfig Sanitize(string text, SigningAgents? agents = null, Func<string, string?>? readKey = null) =>
        GitConfigSanitizer.Sanitize([("~/.gitconfig", text)], agents ?? NoAgents, Home, readKey ?? (_ => null));

    private static List<string> Names(SanitizedGitConfig result) =>
        result.Text is null ? [] : [.. GitConfigSyntax.Parse(result.Text).Select(e => e.Name)];

    [Fact]
    public void Credentials_helpers_headers_tokens_and_passwords_are_all_gone()
    {
        var result = Sanitize(Developer);
        result.Text.ShouldNotBeNull();
        foreach (var secret in MadeUpSecrets)
            result.Text.ShouldNotContain(secret, Case.Insensitive);
        result.Text.ShouldNotContain("credential", Case.Insensitive);
        result.Text.ShouldNotContain("helper", Case.Insensitive);
        result.Text.ShouldNotContain("extraheader", Case.Insensitive);
        result.Text.ShouldNotContain("askpass", Case.Insensitive);
        result.Text.ShouldNotContain("include", Case.Insensitive);
        result.Text.ShouldNotContain("#");
    }

    [Fact]
    public void Aliases_identity_and_harmless_settings_and_url_rewrites_without_credentials_stay()
    {
        var names = Names(Sanitize(Developer));
        names.ShouldBe(
        [
            "user.name", "user.email", "core.editor", "core.excludesfile", "init.defaultbranch",
            "alias.st", "alias.lg", "alias.undo", "http.postbuffer", "http.https://ci.example.com/.sslverify",
            "url.git@github.com:.insteadof", "url.ssh://git@gitlab.example.com/.pushinsteadof",
            "github.user", "sendemail.smtpserver", "sendemail.smtpuser", "pull.rebase",
        ]);
        var entries = GitConfigSyntax.Parse(Sanitize(Developer).Text!);
        entries.Single(e => e.Name == "alias.undo").Value.ShouldBe("!git reset --soft HEAD~1");
        entries.Single(e => e.Name == "url.git@github.com:.insteadof").Value.ShouldBe("gh:");
    }

    [Fact]
    public void Dropped_includes_are_said_and_no_note_ever_carries_a_value()
    {
        var result = Sanitize(Developer);
        result.Notes.ShouldContain(n => n.Contains("include and includeIf are dropped"));
        foreach (var secret in MadeUpSecrets)
            result.Notes.ShouldAllBe(n => !n.Contains(secret));
    }

    private const string SshSigning = """
        [user]
        	name = Alice
        	signingkey = ~/.ssh/id_ed25519.pub
        [gpg]
        	format = ssh
        [gpg "ssh"]
        	program = /opt/1Password/op-ssh-sign
        	allowedSignersFile = ~/.ssh/allowed_signers
        [commit]
        	gpgsign = true
        [tag]
        	gpgSign = true
        """;

    [Fact]
    public void Ssh_signing_is_kept_with_a_forwarded_ssh_agent_and_its_pub_file_becomes_the_key_itself()
    {
        var read = new List<string>();
        var result = Sanitize(SshSigning, new SigningAgents(Ssh: true, Gpg: false), path =>
        {
            read.Add(path);
            return PublicKey + "\n";
        });
        read.ShouldBe(["/home/alice/.ssh/id_ed25519.pub"]);
        var entries = GitConfigSyntax.Parse(result.Text!);
        entries.Single(e => e.Name == "user.signingkey").Value.ShouldBe("key::" + PublicKey[..^" alice@laptop".Length]);
        entries.Select(e => e.Name).ShouldBe(["user.name", "user.signingkey", "gpg.format", "gpg.ssh.allowedsignersfile", "commit.gpgsign", "tag.gpgsign"]);
        result.Notes.ShouldBeEmpty();
    }

    [Fact]
    public void Ssh_signing_without_the_ssh_agent_is_dropped_and_said()
    {
        var result = Sanitize(SshSigning, new SigningAgents(Ssh: false, Gpg: true), _ => PublicKey);
        Names(result).ShouldBe(["user.name"]);
        result.Notes.ShouldHaveSingleItem().ShouldContain("ssh.forward_agent: true");
    }

    [Theory]
    [InlineData("~/.ssh/id_ed25519", "private key file")]
    [InlineData("~/.ssh/missing.pub", "cannot be read")]
    [InlineData("relative.pub", "relative path")]
    public void An_ssh_signing_key_the_guest_cannot_use_drops_signing(string key, string said)
    {
        var text = SshSigning.Replace("~/.ssh/id_ed25519.pub", key, StringComparison.Ordinal);
        var result = Sanitize(text, new SigningAgents(true, true), path => path.EndsWith("missing.pub", StringComparison.Ordinal) ? null : "-----BEGIN OPENSSH PRIVATE KEY-----");
        Names(result).ShouldBe(["user.name"]);
        result.Notes.ShouldHaveSingleItem().ShouldContain(said);
        result.Text!.ShouldNotContain("PRIVATE");
    }

    [Fact]
    public void A_pub_file_holding_anything_but_a_public_key_is_never_staged()
    {
        var result = Sanitize(SshSigning, new SigningAgents(true, false), _ => "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n");
        result.Text!.ShouldNotContain("b3BlbnNzaC1rZXktdjEAAAAA");
        result.Notes.ShouldHaveSingleItem().ShouldContain("holds no public key");
    }

    [Fact]
    public void A_literal_ssh_key_stays_as_it_is()
    {
        var text = SshSigning.Replace("~/.ssh/id_ed25519.pub", "key::" + PublicKey, StringComparison.Ordinal);
        var entries = GitConfigSyntax.Parse(Sanitize(text, new SigningAgents(true, false), _ => throw new InvalidOperationException("no file read")).Text!);
        entries.Single(e => e.Name == "user.signingkey").Value.ShouldBe("key::" + PublicKey);
    }

    private const string OpenPgpSigning = """
        [user]
        	signingkey = 0xDEADBEEFCAFEF00D
        [commit]
        	gpgsign = true
        [gpg]
        	program = /usr/local/MacGPG2/bin/gpg
        """;

    [Fact]
    public void Openpgp_signing_follows_the_gpg_agent_and_the_hosts_gpg_program_never_comes()
    {
        Names(Sanitize(OpenPgpSigning, new SigningAgents(Ssh: false, Gpg: true))).ShouldBe(["user.signingkey", "commit.gpgsign"]);
        var without = Sanitize(OpenPgpSigning, new SigningAgents(Ssh: true, Gpg: false));
        without.Text.ShouldBeNull();
        without.Notes.ShouldHaveSingleItem().ShouldContain("gpg.forward_agent: true");
    }

    [Fact]
    public void X509_signing_never_comes()
    {
        var result = Sanitize("[gpg]\n\tformat = x509\n[commit]\n\tgpgsign = true\n[alias]\n\tc = commit\n", new SigningAgents(true, true));
        Names(result).ShouldBe(["alias.c"]);
    }

    [Fact]
    public void A_stray_token_on_a_line_of_its_own_is_not_staged_as_a_variable_name()
    {
        var result = Sanitize("[alias]\n\tst = status\n\tAKIAABCDEFGHIJKLMNOP\n\tsk-ant-api03-abcdefghijklmnopqrstuvwxyz\n\tabcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\n");
        Names(result).ShouldBe(["alias.st"]);
    }

    [Fact]
    public void A_config_git_would_refuse_stages_nothing_and_says_where()
    {
        var result = Sanitize("[alias]\n\tok = 1\n[credential]\n\thelper = \"store\n");
        result.Text.ShouldBeNull();
        result.Notes.ShouldHaveSingleItem().ShouldBe("share.git_config: ~/.gitconfig: line 4: a quoted value not closed on its line, so nothing is staged");
    }

    [Fact]
    public void The_xdg_file_and_gitconfig_are_joined_in_gits_order()
    {
        var result = GitConfigSanitizer.Sanitize([("xdg", "[alias]\n\ta = 1\n"), ("home", "[alias]\n\tb = 2\n[credential]\n\thelper = store\n")], NoAgents, Home, _ => null);
        Names(result).ShouldBe(["alias.a", "alias.b"]);
    }

    [Theory]
    [InlineData("https://user:pw@host/", true)]
    [InlineData("https://x-access-token@github.com/", true)]
    [InlineData("ssh://git@github.com/", false)]
    [InlineData("ssh://git:pw@github.com/", true)]
    [InlineData("git@github.com:org/repo", false)]
    [InlineData("https://github.com/org/repo", false)]
    [InlineData("see github_pat_11ABCDEFG0123456789_abcdefghij", true)]
    public void Urls_and_tokens_that_carry_a_credential_are_recognised(string text, bool carries)
    {
        GitConfigSanitizer.CarriesCredential(text).ShouldBe(carries);
    }
}
