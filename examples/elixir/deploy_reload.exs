# Deploys a WebAssembly module to a creo node from Elixir, calls it, hot-reloads
# it to a new version while it runs, and shows that its state carried over.
#
# Build the two versions of the counter, run a node, then this script, from the
# root of the repository (as the same user, for the cookie):
#
#   go run ./cmd/host build ./guests/counter -o counter.wasm
#   go run ./cmd/host build ./guests/counter_v2 -o counter_v2.wasm
#   go run ./cmd/host &
#   elixir --name demo@127.0.0.1 examples/elixir/deploy_reload.exs creo@127.0.0.1 counter.wasm counter_v2.wasm

[node, v1, v2] =
  case System.argv() do
    [node, v1, v2] -> [String.to_atom(node), v1, v2]
    _ -> raise "usage: elixir --name demo@127.0.0.1 deploy_reload.exs NODE COUNTER_V1.wasm COUNTER_V2.wasm"
  end

true = Node.connect(node)

# The management server, registered as :creo on every creo node, takes the
# module's bytes. The counter's init starts it at its argument. Deploys and
# reloads compile the module the first time the node sees it, which can take
# longer than GenServer.call's default 5 seconds.
creo = {:creo, node}
compile_timeout = 60_000
{:ok, pid} = GenServer.call(creo, {:deploy, :counter, File.read!(v1), 5}, compile_timeout)
IO.puts("deployed :counter as #{inspect(pid)}")

# A creo server is called like any GenServer of the cluster.
counter = {:counter, node}
IO.puts("inc -> #{inspect(GenServer.call(counter, :inc))}")
IO.puts("{:add, 10} -> #{inspect(GenServer.call(counter, {:add, 10}))}")
IO.puts("get -> #{inspect(GenServer.call(counter, :get))}")

# Swap the module while the server runs. Version 2's code_change keeps the
# count, and its get answers {:v2, N}.
[{:counter, ^pid, old_vsn}] = Enum.filter(GenServer.call(creo, :which_servers), &(elem(&1, 0) == :counter))
:ok = GenServer.call(creo, {:reload, :counter, File.read!(v2)}, compile_timeout)
[{:counter, ^pid, new_vsn}] = Enum.filter(GenServer.call(creo, :which_servers), &(elem(&1, 0) == :counter))
IO.puts("reloaded :counter from vsn #{String.slice(old_vsn, 0, 12)} to #{String.slice(new_vsn, 0, 12)}, same pid")
IO.puts("get -> #{inspect(GenServer.call(counter, :get))}")

# A module that is not WebAssembly is refused, and the server runs on.
{:error, {:invalid_module, _}} = GenServer.call(creo, {:reload, :counter, "not wasm"})
IO.puts("a bad reload is refused; get -> #{inspect(GenServer.call(counter, :get))}")

:ok = GenServer.call(creo, {:stop, :counter})
IO.puts("stopped :counter")
