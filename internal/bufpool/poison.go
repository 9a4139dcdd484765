package bufpool

// PoisonByte is what Put writes over a released buffer in a build that
// poisons them (see Poisoned).
const PoisonByte = 0xdb
