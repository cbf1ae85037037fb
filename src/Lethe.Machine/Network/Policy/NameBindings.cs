using System.Net;

namespace Lethe.Machine.Network.Policy;

/// <summary>
/// Which names this machine's DNS answers bound to each address: "a connection to an address counts as
/// the name that lethe resolved to it". Bounded, oldest addresses forgotten first, so a guest that
/// resolves without end cannot grow it. Not thread-safe: <see cref="PolicyEngine"/> locks around it.
/// </summary>
public sealed class NameBindings(int maxAddresses = 4096, int maxNamesPerAddress = 64)
{
    private readonly Dictionary<IPAddress, List<string>> _names = [];
    private readonly LinkedList<IPAddress> _order = new();
    private readonly Dictionary<IPAddress, LinkedListNode<IPAddress>> _positions = [];

    public void Bind(IPAddress address, string name)
    {
        if (_positions.TryGetValue(address, out var position))
        {
            _order.Remove(position);
            _order.AddLast(position);
        }
        else
        {
            if (_names.Count >= maxAddresses && _order.First is { } oldest)
            {
                _order.RemoveFirst();
                _positions.Remove(oldest.Value);
                _names.Remove(oldest.Value);
            }
            _positions[address] = _order.AddLast(address);
            _names[address] = [];
        }
        var names = _names[address];
        names.Remove(name);
        names.Add(name);
        if (names.Count > maxNamesPerAddress)
            names.RemoveAt(0);
    }

    public IReadOnlyList<string> NamesOf(IPAddress address) => _names.TryGetValue(address, out var names) ? [.. names] : [];

    public bool IsBound(IPAddress address, string name) => _names.TryGetValue(address, out var names) && names.Contains(name);
}
