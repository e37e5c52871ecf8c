namespace Switchboard.Testing;
internal static class Placeholder;
