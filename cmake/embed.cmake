# embed.cmake — turn a file into a C array (run with cmake -P):
#   cmake -DIN=file -DOUT=file.c -DNAME=symbol -P embed.cmake
# defines `const unsigned char NAME[]` (NUL-terminated) and `const size_t NAME_len`.
file(READ "${IN}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE "${OUT}" "/* generated from ${IN} by cmake/embed.cmake: do not edit */\n"
  "#include <stddef.h>\n"
  "const unsigned char ${NAME}[] = {${bytes}0x00};\n"
  "const size_t ${NAME}_len = sizeof(${NAME}) - 1;\n")
