/** The UI state outside React: services and input dispatch to it, the view subscribes. */
import { mark } from './services/trace.js';
import { uiReducer, type UiAction, type UiState } from './state.js';

export interface Store {
  getState(): UiState;
  dispatch(action: UiAction): void;
  subscribe(listener: () => void): () => void;
}

export function createStore(initial: UiState): Store {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    getState: () => state,
    dispatch(action) {
      mark(`dispatch ${action.type}`);
      const next = uiReducer(state, action);
      if (next === state) return;
      state = next;
      for (const listener of listeners) listener();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
