"""Swap requests: a member asks a teacher from the directory, the teacher answers, an accepted
request becomes a group like a round's (origin "request"); and the skills explorer."""
