//! OpenMV's ImageIO recorder/player: "OMV IMG STR" file streams and memory rings.
