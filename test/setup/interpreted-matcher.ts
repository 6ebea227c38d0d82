// Runs the routing suite a second time against the reference matcher, so the compiled
// matcher (the default) and the interpreted one are held to the same cases.
import { Map, StateMachineMatcher } from "@flagon/werk";

Map.defaultMatcher = StateMachineMatcher;
