import type { Builtin } from './types';
import { stringOperand } from './types';

/** trace(note): adds a note to the evaluation trace; always true. Our trace is the debug log. */
export const DEBUGGING_BUILTINS: Record<string, Builtin> = {
  trace: {
    arity: 1,
    fn: (args, ctx) => {
      ctx.log.debug(`trace: ${stringOperand(args, 0)}`);
      return true;
    },
  },
};
