using System.Reflection;
using NetArchTest.Rules;

namespace Gerbang.Api.Tests.Architecture;

/// <summary>
/// The feature folders of Gerbang.Api depend on each other one way: the graph of which folder's types
/// use which other folder's types (read from the compiled IL) has no cycle, and the cross-cutting
/// folders use no feature at all.
/// </summary>
public sealed class FolderDependencyTests
{
    private static readonly Assembly Api = typeof(Gerbang.Api.GerbangApp).Assembly;

    /// <summary>Folders every feature may use and that use no feature.</summary>
    private static readonly string[] CrossCutting = ["Http", "Database", "Jobs", "Mail"];

    /// <summary>The composition root (the namespace Gerbang.Api itself) wires everything and is used by nothing.</summary>
    private static IReadOnlyList<string> Folders() =>
        Api.GetTypes().Select(t => t.Namespace).OfType<string>().Where(n => n.StartsWith("Gerbang.Api.", StringComparison.Ordinal))
            .Select(n => n.Split('.')[2]).Distinct().Order(StringComparer.Ordinal).ToList();

    private static Dictionary<string, SortedSet<string>> Graph()
    {
        var folders = Folders();
        var graph = folders.ToDictionary(f => f, _ => new SortedSet<string>(StringComparer.Ordinal));
        foreach (var from in folders)
        {
            foreach (var to in folders.Where(t => t != from))
            {
                var result = Types.InAssembly(Api).That().ResideInNamespace($"Gerbang.Api.{from}").ShouldNot().HaveDependencyOn($"Gerbang.Api.{to}").GetResult();
                if (!result.IsSuccessful)
                {
                    graph[from].Add(to);
                }
            }
        }

        return graph;
    }

    private static List<List<string>> Cycles(Dictionary<string, SortedSet<string>> graph)
    {
        // Tarjan's strongly connected components: any component of more than one folder is a cycle.
        var index = 0;
        var stack = new Stack<string>();
        var indices = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var onStack = new HashSet<string>();
        var components = new List<List<string>>();
        void Visit(string v)
        {
            indices[v] = low[v] = index++;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in graph[v])
            {
                if (!indices.TryGetValue(w, out var seen))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w))
                {
                    low[v] = Math.Min(low[v], seen);
                }
            }

            if (low[v] == indices[v])
            {
                var component = new List<string>();
                string w;
                do
                {
                    w = stack.Pop();
                    onStack.Remove(w);
                    component.Add(w);
                }
                while (w != v);
                if (component.Count > 1)
                {
                    components.Add(component);
                }
            }
        }

        foreach (var v in graph.Keys.Where(v => !indices.ContainsKey(v)).ToList())
        {
            Visit(v);
        }

        return components;
    }

    private static string Describe(Dictionary<string, SortedSet<string>> graph) =>
        string.Join("\n", graph.Select(g => $"{g.Key} -> {string.Join(", ", g.Value)}"));

    [Fact]
    public void The_folders_depend_on_each_other_without_a_cycle()
    {
        var graph = Graph();
        Assert.True(graph.Count >= 15, $"only {graph.Count} folders found");
        var cycles = Cycles(graph);
        Assert.True(cycles.Count == 0, "cycles: " + string.Join("; ", cycles.Select(c => string.Join(" <-> ", c.Order(StringComparer.Ordinal)))) + "\n" + Describe(graph));
    }

    [Fact]
    public void The_cross_cutting_folders_use_no_feature()
    {
        var graph = Graph();
        var features = graph.Keys.Except(CrossCutting).ToHashSet();
        var reaching = CrossCutting.Where(graph.ContainsKey).SelectMany(c => graph[c].Where(features.Contains).Select(f => $"{c} -> {f}")).ToList();
        Assert.True(reaching.Count == 0, string.Join(", ", reaching) + "\n" + Describe(graph));
    }

    [Theory]
    [InlineData("Payments", "ProviderCallbacks")]
    [InlineData("Payments", "Reconciliation")]
    [InlineData("Routing", "Payments")]
    [InlineData("Streams", "Webhooks")]
    [InlineData("Reconciliation", "Admin")]
    public void A_folder_does_not_reach_back(string from, string to)
    {
        var result = Types.InAssembly(Api).That().ResideInNamespace($"Gerbang.Api.{from}").ShouldNot().HaveDependencyOn($"Gerbang.Api.{to}").GetResult();
        Assert.True(result.IsSuccessful, $"{from} uses {to}: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }
}
