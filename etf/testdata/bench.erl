%% Times erlang:term_to_binary/1 and binary_to_term/1 on the corpus of the
%% Go benchmarks (etf/bench_test.go), for comparing the Go codec with the
%% BEAM's C one on the same machine.
%%
%%   erlc -o /tmp etf/testdata/bench.erl && erl -noshell -pa /tmp -eval 'bench:main([])'
%%       Prints, for each term and direction, the median of 7 runs in ns/op
%%       and MB/s (of the encoded size), like go test -bench.
%%   erl -noshell -pa /tmp -eval 'bench:main(["write", "DIR"])'
%%       Writes each term as DIR/Name.etf, for TestBenchCorpus to check that
%%       Go benchmarks the same terms.
%%
%% Compare with: go test ./etf -run '^$' -bench . -count 7
-module(bench).
-export([main/1]).

main(["write", Dir]) ->
    [ok = file:write_file(filename:join(Dir, Name ++ ".etf"), term_to_binary(T, [{minor_version, 2}]))
     || {Name, T} <- corpus()],
    halt();
main([]) ->
    io:format("~-12s ~-6s ~12s ~10s~n", [term, op, 'ns/op', 'MB/s']),
    [bench(Name, T) || {Name, T} <- corpus()],
    halt().

corpus() ->
    Node = 'client@127.0.0.1',
    Pid = binary_to_term(<<131, 88, 119, (byte_size(atom_to_binary(Node))), (atom_to_binary(Node))/binary,
                           0, 0, 0, 90, 0, 0, 0, 0, 0, 0, 0, 3>>),
    Ref = binary_to_term(<<131, 90, 0, 3, 119, (byte_size(atom_to_binary(Node))), (atom_to_binary(Node))/binary,
                           0, 0, 0, 3, 0, 1, 226, 64, 0, 0, 48, 57, 0, 0, 212, 49>>),
    [{"call", {'$gen_call', {Pid, [alias | Ref]}, {get, <<"user:42">>, 5000}}},
     {"binary_1m", binary:copy(<<"0123456789abcdef">>, 65536)},
     {"list_10k", lists:seq(1, 10000)},
     {"nested_map", maps:from_list([{K, user(K)} || K <- lists:seq(1, 100)])},
     %% The requests of the call benchmarks (bench/beam/driver.ex).
     {"small", {get, <<"user:42">>, 5000}},
     {"bin_1k", binary:copy(<<"x">>, 1024)},
     {"bin_100k", binary:copy(<<"x">>, 100 * 1024)},
     {"map_1k", maps:from_list([{<<"key", (integer_to_binary(K))/binary>>, K} || K <- lists:seq(1, 1000)])}].

user(K) ->
    #{id => K,
      name => <<"user ", (integer_to_binary(K))/binary>>,
      active => K rem 2 =:= 0,
      score => K * 1.5,
      tags => [admin, staff],
      meta => #{created => 1700000000 + K, source => web}}.

%% Each run lasts about 0.2 s; the median of 7 is reported.
bench(Name, T) ->
    Bin = term_to_binary(T),
    N = max(1, 200000000 div max(1, timed(fun encode/3, 10, T) div 10)),
    report(Name, "encode", byte_size(Bin), N, median([timed(fun encode/3, N, T) || _ <- lists:seq(1, 7)])),
    report(Name, "decode", byte_size(Bin), N, median([timed(fun decode/3, N, Bin) || _ <- lists:seq(1, 7)])).

%% The loop runs inside a catch: without one, OTP 25.2 ends the process
%% silently in the middle of the first loop when main runs from -eval or
%% -run or as an escript.
timed(F, N, Arg) ->
    erlang:garbage_collect(),
    T0 = erlang:monotonic_time(nanosecond),
    ok = (catch F(N, Arg, 0)),
    erlang:monotonic_time(nanosecond) - T0.

%% The results feed the next iteration, so the calls cannot be dropped.
encode(0, _, _) -> ok;
encode(N, T, Acc) -> encode(N - 1, T, Acc + byte_size(term_to_binary(T))).

decode(0, _, _) -> ok;
decode(N, Bin, _) -> decode(N - 1, Bin, binary_to_term(Bin)).

median(L) -> lists:nth(length(L) div 2 + 1, lists:sort(L)).

report(Name, Op, Size, N, Ns) ->
    PerOp = Ns / N,
    io:format("~-12s ~-6s ~12.1f ~10.1f~n", [Name, Op, PerOp, Size * 1000 / PerOp]).
