"""A wish nobody has generated yet: the import fails with a message that says what to do."""

# desired: the number of words in a text
from wishful.text import count_words

print(count_words("three little words"))
