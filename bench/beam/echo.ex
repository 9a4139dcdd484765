# The BEAM's side of the call benchmarks: the echo GenServer that creo's
# Wasm echo (guests/echo) stands beside. It replies every call with its
# request and keeps its state.
defmodule Bench.Echo do
  use GenServer

  @impl true
  def init(state), do: {:ok, state}

  @impl true
  def handle_call(req, _from, state), do: {:reply, req, state}
end
