import { expect } from 'vitest';
import type { Decider } from '../../src/domain/decider.js';

/**
 * Given/when/then for a pure decider, after Emmett's DeciderSpecification:
 *   spec.given([events]).when(command).thenEmits([events]) or .thenThrows(ErrorClass, matcher)
 */
export function deciderSpecification<State, Command, Event extends { type: string; data: unknown }>(
  decider: Decider<State, Command, Event>,
) {
  return {
    given(events: Event[]) {
      const state = events.reduce(decider.evolve, decider.initialState);
      return {
        when(command: Command) {
          const decide = () => decider.decide(command, state);
          return {
            thenEmits(expected: Event[]) {
              expect(decide()).toEqual(expected);
            },
            thenNothingHappens() {
              expect(decide()).toEqual([]);
            },
            thenThrows<E extends Error>(
              errorClass: abstract new (...args: never[]) => E,
              check?: (error: E) => void,
            ) {
              let thrown: unknown;
              try {
                decide();
              } catch (error) {
                thrown = error;
              }
              expect(thrown).toBeInstanceOf(errorClass);
              check?.(thrown as E);
            },
          };
        },
      };
    },
  };
}
