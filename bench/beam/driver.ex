# The Elixir node that drives the benchmarks of bench/: it calls the echo
# servers of creo and of the BEAM alike, and times the BEAM's own codec and
# processes. Every function returns a list of integers, which the harness
# reads back.
defmodule Bench.Driver do
  # The requests of the call benchmarks, by shape. put_shapes/0 keeps them
  # in persistent_term, so callers share them rather than copy them.
  defp shapes do
    %{
      small: {:get, "user:42", 5000},
      bin_1k: :binary.copy("x", 1024),
      bin_100k: :binary.copy("x", 100 * 1024),
      map_1k: Map.new(1..1000, &{"key#{&1}", &1})
    }
  end

  def put_shapes do
    for {name, req} <- shapes(), do: :persistent_term.put({__MODULE__, name}, req)
    [map_size(shapes())]
  end

  defp req(shape), do: :persistent_term.get({__MODULE__, shape})

  # check/2 makes one call and tells whether the reply is the request: 1
  # if it is.
  def check(target, shape) do
    [if(GenServer.call(target, req(shape), 60_000) === req(shape), do: 1, else: 0)]
  end

  # throughput/4 runs callers processes that call target in a loop for ms
  # milliseconds, and returns [Calls, Microseconds] from the start to the
  # last caller's last reply.
  def throughput(target, shape, callers, ms) do
    req = req(shape)
    parent = self()
    pids = for _ <- 1..callers, do: spawn_link(fn -> caller(parent, target, req) end)
    t0 = :erlang.monotonic_time(:microsecond)
    stop = t0 + ms * 1000
    Enum.each(pids, &send(&1, {:go, stop}))
    calls = Enum.reduce(pids, 0, fn pid, acc -> receive do: ({:done, ^pid, n} -> acc + n) end)
    [calls, :erlang.monotonic_time(:microsecond) - t0]
  end

  defp caller(parent, target, req) do
    receive do
      {:go, stop} -> send(parent, {:done, self(), call_until(target, req, stop, 0)})
    end
  end

  defp call_until(target, req, stop, n) do
    if :erlang.monotonic_time(:microsecond) >= stop do
      n
    else
      GenServer.call(target, req, 60_000)
      call_until(target, req, stop, n + 1)
    end
  end

  # latency/3 times n calls made one after the other and returns the
  # nanoseconds of the median and the 99th percentile.
  def latency(target, shape, n) do
    req = req(shape)
    sorted =
      Enum.sort(
        for _ <- 1..n do
          t0 = :erlang.monotonic_time(:nanosecond)
          GenServer.call(target, req, 60_000)
          :erlang.monotonic_time(:nanosecond) - t0
        end
      )
    [percentile(sorted, n, 0.5), percentile(sorted, n, 0.99)]
  end

  defp percentile(sorted, n, q), do: Enum.at(sorted, min(max(round(q * n) - 1, 0), n - 1))

  # write_shapes/1 writes each request as Dir/Shape.etf, for the codec
  # benchmarks.
  def write_shapes(dir) do
    for {name, req} <- shapes(), do: File.write!(Path.join(dir, "#{name}.etf"), :erlang.term_to_binary(req))
    [map_size(shapes())]
  end

  # codec/3 decodes (binary_to_term) or encodes (term_to_binary) the term in
  # path over and over for ms milliseconds, and returns [Ops, Nanoseconds].
  def codec(path, op, ms) do
    bin = File.read!(path)
    arg = if op == :decode, do: bin, else: :erlang.binary_to_term(bin)
    :erlang.garbage_collect()
    t0 = :erlang.monotonic_time(:nanosecond)
    codec_for(op, arg, t0 + ms * 1_000_000, 1, 0, t0)
  end

  # codec_for runs batches twice as large each time, so reading the clock
  # costs nothing next to the work.
  defp codec_for(op, arg, stop, batch, ops, t0) do
    run(op, batch, arg, 0)
    now = :erlang.monotonic_time(:nanosecond)
    if now >= stop, do: [ops + batch, now - t0], else: codec_for(op, arg, stop, batch * 2, ops + batch, t0)
  end

  # The results feed the next iteration, so no call can be dropped.
  defp run(_, 0, _, acc), do: acc
  defp run(:decode, n, bin, _), do: run(:decode, n - 1, bin, :erlang.binary_to_term(bin))
  defp run(:encode, n, t, acc), do: run(:encode, n - 1, t, acc + byte_size(:erlang.term_to_binary(t)))

  # spawn_idle/2 starts n idle echo servers from spawners processes at
  # once, and returns [Microseconds, RSS bytes before, RSS bytes after].
  # The servers, not linked to anything, stay up until the node stops.
  def spawn_idle(n, spawners) do
    rss0 = rss()
    parent = self()
    t0 = :erlang.monotonic_time(:microsecond)
    for i <- 1..spawners do
      count = div(n, spawners) + if(i <= rem(n, spawners), do: 1, else: 0)
      spawn_link(fn -> send(parent, {:spawned, start_idle(count)}) end)
    end
    for _ <- 1..spawners, do: receive(do: ({:spawned, :ok} -> :ok))
    t1 = :erlang.monotonic_time(:microsecond)
    [t1 - t0, rss0, rss()]
  end

  defp start_idle(0), do: :ok

  defp start_idle(n) do
    {:ok, _} = GenServer.start(Bench.Echo, nil)
    start_idle(n - 1)
  end

  # rss/0 is the resident memory of this OS process, in bytes.
  defp rss do
    [kb] =
      for "VmRSS:" <> rest <- String.split(File.read!("/proc/self/status"), "\n"),
          do: rest |> String.trim() |> String.trim_trailing(" kB") |> String.to_integer()
    kb * 1024
  end

  # reload/3 starts n counter servers of a new module, keeps loaders
  # processes calling them, then moves every server to version 2 of the
  # module as a release upgrade does, workers of them at once: compile and
  # load version 2, then suspend, code_change and resume each server. Once
  # the callers have stopped it moves them again, to version 3, with no
  # load. It returns [Compile microseconds, Switch microseconds, Idle switch
  # microseconds, Servers on v2 or later].
  def reload(n, loaders, workers) do
    mod = Module.concat(Bench, "Counter#{:erlang.unique_integer([:positive])}")
    Code.compile_string(counter(mod, 1))
    servers = for _ <- 1..n, do: elem(GenServer.start(mod, 0), 1)
    tuple = List.to_tuple(servers)
    load = for _ <- 1..loaders, do: spawn_link(fn -> load(tuple) end)
    t0 = :erlang.monotonic_time(:microsecond)
    Code.compile_string(counter(mod, 2))
    t1 = :erlang.monotonic_time(:microsecond)
    upgrade(servers, mod, 1, workers)
    t2 = :erlang.monotonic_time(:microsecond)
    for pid <- load, do: (Process.unlink(pid); Process.exit(pid, :kill))
    Code.compile_string(counter(mod, 3))
    t3 = :erlang.monotonic_time(:microsecond)
    upgrade(servers, mod, 2, workers)
    t4 = :erlang.monotonic_time(:microsecond)
    upgraded = Enum.count(servers, &match?({:v2, _}, GenServer.call(&1, :get)))
    Enum.each(servers, &GenServer.stop/1)
    [t1 - t0, t2 - t1, t4 - t3, upgraded]
  end

  defp upgrade(servers, mod, old_vsn, workers) do
    each_of(servers, workers, fn pid ->
      :ok = :sys.suspend(pid)
      :ok = :sys.change_code(pid, mod, old_vsn, nil)
      :ok = :sys.resume(pid)
    end)
  end

  defp counter(mod, vsn) do
    get = if vsn >= 2, do: "{:v2, n}", else: "n"
    """
    defmodule #{inspect(mod)} do
      use GenServer
      @vsn #{vsn}
      def init(n), do: {:ok, n}
      def handle_call(:inc, _from, n), do: {:reply, n + 1, n + 1}
      def handle_call(:get, _from, n), do: {:reply, #{get}, n}
      def code_change(_old, n, _extra), do: {:ok, n}
    end
    """
  end

  defp load(servers) do
    GenServer.call(elem(servers, :rand.uniform(tuple_size(servers)) - 1), :inc, 60_000)
    load(servers)
  end

  # each_of runs f on every element of list, from workers processes.
  defp each_of(list, workers, f) do
    list
    |> Enum.chunk_every(max(div(length(list) + workers - 1, workers), 1))
    |> Enum.map(fn chunk -> Task.async(fn -> Enum.each(chunk, f) end) end)
    |> Enum.each(&Task.await(&1, :infinity))
  end
end
