/** A pure aggregate: decide() turns a command into events, evolve() folds events into state. */
export interface Decider<State, Command, Event extends { type: string; data: unknown }> {
  readonly initialState: State;
  evolve(state: State, event: Event): State;
  decide(command: Command, state: State): Event[];
}
