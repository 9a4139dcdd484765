#!/usr/bin/env escript
%% -*- erlang -*-
%%
%% The Erlang side of the etf interop tests (etf/corpus_test.go).
%%
%%   corpus.escript gen DIR [all]
%%       Writes every term of the corpus as DIR/Name.Variant.etf, where
%%       Variant is m0, m1 or m2 (term_to_binary with that minor_version)
%%       or z (compressed, level 9). Without "all", terms too big for a
%%       golden file are left out. Also writes DIR/order.txt: the names, then
%%       the term order of every pair (<, = or >), then whether each pair is
%%       =:= (1 or 0).
%%   corpus.escript same DIR
%%       For each DIR/X.go.etf, prints "X" if it decodes to a term =:= to
%%       the one DIR/X.etf holds, else "FAIL X".
%%   corpus.escript echo DIR
%%       For each DIR/Name.go.etf, writes DIR/Name.erl.etf, the term encoded
%%       again with minor_version 2, or DIR/Name.error if it does not decode.
%%
%% Regenerate the golden files with: go test ./etf -run TestCorpus -update
-mode(compile).

main(["gen", Dir | Rest]) ->
    Cases = corpus() ++ case Rest of ["all"] -> big_corpus(); _ -> [] end,
    [write_variants(Dir, Name, Term) || {Name, Term} <- Cases],
    write_order(Dir, Cases);
main(["same", Dir]) ->
    [io:format("~s~n", [same(Dir, Name)]) || Name <- go_names(Dir)],
    ok;
main(["echo", Dir]) ->
    [echo(Dir, Name) || Name <- go_names(Dir)],
    ok.

variants() ->
    [{m0, [{minor_version, 0}]},
     {m1, [{minor_version, 1}]},
     {m2, [{minor_version, 2}]},
     {z, [{compressed, 9}]}].

write_variants(Dir, Name, Term) ->
    [ok = file:write_file(path(Dir, Name, V), term_to_binary(Term, Opts)) || {V, Opts} <- variants()].

path(Dir, Name, Variant) ->
    filename:join(Dir, atom_to_list(Name) ++ "." ++ atom_to_list(Variant) ++ ".etf").

write_order(Dir, Cases) ->
    Names = [atom_to_list(N) || {N, _} <- Cases],
    Terms = [T || {_, T} <- Cases],
    Order = [[order(A, B) || B <- Terms] ++ "\n" || A <- Terms],
    Exact = [[exact(A, B) || B <- Terms] ++ "\n" || A <- Terms],
    ok = file:write_file(filename:join(Dir, "order.txt"), [lists:join(" ", Names), "\n", Order, Exact]).

order(A, B) when A < B -> $<;
order(A, B) when A == B -> $=;
order(_, _) -> $>.

exact(A, B) when A =:= B -> $1;
exact(_, _) -> $0.

go_names(Dir) ->
    lists:sort([filename:basename(F, ".go.etf") || F <- filelib:wildcard(filename:join(Dir, "*.go.etf"))]).

read(Dir, File) ->
    {ok, Bin} = file:read_file(filename:join(Dir, File)),
    Bin.

same(Dir, Name) ->
    Want = binary_to_term(read(Dir, Name ++ ".etf")),
    case catch binary_to_term(read(Dir, Name ++ ".go.etf")) of
        Want -> Name;
        _ -> "FAIL " ++ Name
    end.

echo(Dir, Name) ->
    case catch binary_to_term(read(Dir, Name ++ ".go.etf")) of
        {'EXIT', Reason} ->
            ok = file:write_file(filename:join(Dir, Name ++ ".error"), io_lib:format("~p~n", [Reason]));
        Term ->
            ok = file:write_file(filename:join(Dir, Name ++ ".erl.etf"), term_to_binary(Term, [{minor_version, 2}]))
    end.

%% Identifiers of another node, built from their encodings, since only
%% binary_to_term makes them.
atom_ext(A) ->
    B = atom_to_binary(A, utf8),
    <<119, (byte_size(B)), B/binary>>.

foreign_pid(Id, Serial, Creation) -> pid('other@host.example', Id, Serial, Creation).
foreign_ref(Creation, Words) -> ref('other@host.example', Creation, Words).
foreign_port(Id, Creation) -> port('other@host.example', Id, Creation).

pid(Node, Id, Serial, Creation) ->
    binary_to_term(<<131, 88, (atom_ext(Node))/binary, Id:32, Serial:32, Creation:32>>).

ref(Node, Creation, Words) ->
    binary_to_term(<<131, 90, (length(Words)):16, (atom_ext(Node))/binary, Creation:32,
                     << <<W:32>> || W <- Words >>/binary>>).

port(Node, Id, Creation) ->
    binary_to_term(<<131, 120, (atom_ext(Node))/binary, Id:64, Creation:32>>).

nest(0, T, _) -> T;
nest(N, T, F) -> nest(N - 1, F(T), F).

corpus() ->
    Adder = fun(X) -> fun(Y) -> X + Y end end,
    [{atom, ok},
     {atom_empty, ''},
     {atom_true, true},
     {atom_latin1, 'héllo'},
     {atom_unicode, '日本語'},
     {atom_255_latin1, list_to_atom(lists:duplicate(255, $é))},
     {atom_255_unicode, list_to_atom(lists:duplicate(255, 16#65E5))},
     {int_0, 0},
     {int_255, 255},
     {int_256, 256},
     {int_neg_1, -1},
     {int32_max, 16#7FFFFFFF},
     {int32_min, -16#80000000},
     {int32_over, 16#80000000},
     {int32_under, -16#80000001},
     {int64_max, 16#7FFFFFFFFFFFFFFF},
     {int64_min, -16#8000000000000000},
     {int64_over, 16#8000000000000000},
     {int64_under, -16#8000000000000001},
     {uint64_max, 16#FFFFFFFFFFFFFFFF},
     {big_2_1000, 1 bsl 1000},
     {big_neg_2_2100, -(1 bsl 2100)},
     {float_zero, 0.0},
     {float_neg_zero, -0.0},
     {float_one, 1.0},
     {float_1_5, 1.5},
     {float_neg, -3.14159},
     {float_max, 1.7976931348623157e308},
     {float_denormal, 5.0e-324},
     {float_big_int, 1.0e20},
     {binary_empty, <<>>},
     {binary_small, <<1, 2, 3>>},
     {binary_300, binary:copy(<<"abc">>, 100)},
     {bits_1, <<1:1>>},
     {bits_15, <<255, 3:7>>},
     {bits_zero, <<0:3>>},
     {nil, []},
     {string, "hello"},
     {string_bytes, [0, 255, 10]},
     {list_256, [256]},
     {list_atoms, [a, b]},
     {list_mixed, [1, a, "b", <<"c">>, 2.5]},
     {list_nested, [[], [[]], [[[]]]]},
     {improper, [a | b]},
     {improper_long, [1, 2, 3 | <<"t">>]},
     {improper_nil_head, [[] | x]},
     {tuple_empty, {}},
     {tuple_pair, {ok, 1}},
     {tuple_300, list_to_tuple(lists:seq(1, 300))},
     {map_empty, #{}},
     {map_small, #{a => 1, b => 2}},
     {map_40, maps:from_list([{K, K * K} || K <- lists:seq(1, 40)])},
     {map_keys, #{[1] => list, {t} => tuple, #{k => v} => map, 1 => int, 1.0 => float,
                  <<"b">> => bin, self() => pid, -0.0 => neg_zero, [a | b] => improper}},
     {map_map_values, #{a => #{b => #{c => []}}}},
     {pid_self, self()},
     {pid_foreign, foreign_pid(16#FFFFFFFF, 16#FFFFFFFF, 16#FFFFFFFF)},
     {pid_foreign_small, foreign_pid(1, 0, 1)},
     {pid_foreign_serial, foreign_pid(0, 1, 1)},
     {pid_foreign_creation, foreign_pid(1, 0, 2)},
     {pid_nonode_1000, pid(nonode@nohost, 1000, 0, 0)},
     {pid_a_node, pid('a@host', 5, 0, 9)},
     {ref_local, make_ref()},
     {ref_foreign_5, foreign_ref(7, [1, 2, 3, 4, 5])},
     {ref_foreign_1, foreign_ref(7, [16#FFFFFFFF])},
     {ref_foreign_3, foreign_ref(3, [3, 2, 1])},
     {ref_foreign_3_creation_7, foreign_ref(7, [3, 2, 1])},
     {ref_foreign_2, foreign_ref(7, [16#FFFFFFFF, 1])},
     {ref_foreign_padded, foreign_ref(7, [16#FFFFFFFF, 0, 0])},
     {ref_a_node, ref('a@host', 9, [16#FFFFFFFF, 16#FFFFFFFF, 16#FFFFFFFF])},
     {port_local, hd(erlang:ports())},
     {port_v3_max, foreign_port(16#0FFFFFFF, 9)},
     {port_v4, foreign_port(16#123456789, 9)},
     {port_foreign_1, foreign_port(1, 9)},
     {port_foreign_creation, foreign_port(1, 10)},
     {port_nonode_5, port(nonode@nohost, 5, 0)},
     {port_a_node, port('a@host', 7, 9)},
     {fun_local, fun() -> ok end},
     {fun_closure, Adder(42)},
     {fun_closure_fun, fun() -> Adder end},
     {fun_export, fun lists:map/2},
     {fun_export_bif, fun erlang:self/0},
     {fun_export_arity, fun lists:map/3},
     {fun_other_module, fun erl_eval:expr/2},
     {fun_local_2, fun(A, B) -> {A, B} end},
     {fun_closure_2, Adder(43)},
     {gen_call, {'$gen_call', {self(), [alias | make_ref()]}, {get, key}}},
     {deep_tuple, nest(1000, x, fun(T) -> {T} end)},
     {deep_list, nest(1000, [], fun(T) -> [T] end)},
     {deep_map, nest(100, v, fun(T) -> #{k => T} end)},
     {mixed, #{list => [1, 2, 3], nested => #{deep => {1, 2.5, <<"x">>, "str"}}, pids => [self()]}}].

%% Terms too big for golden files, for the live test only.
big_corpus() ->
    [{big_2_20000, 1 bsl 20000},
     {string_65535, lists:duplicate(65535, $x)},
     {list_65536, lists:duplicate(65536, 7)},
     {binary_1m, binary:copy(<<"0123456789abcdef">>, 65536)},
     {tuple_70000, list_to_tuple(lists:seq(1, 70000))},
     {map_5000, maps:from_list([{integer_to_binary(K), K} || K <- lists:seq(1, 5000)])},
     {deep_tuple_100k, nest(100000, x, fun(T) -> {T} end)}].
